#!/usr/bin/env bash
# Rebuilds README.md from docs/readme/*.md, in pipeline order (00-head first; unknown files at the end).
set -euo pipefail
cd "$(dirname "$0")/readme"
order=(00-head report data-rb bbq-jb text runtime kernel eval calib train sweep gen serve library langchain4j spark reliability)
{
  for n in "${order[@]}"; do [ -f "$n.md" ] && { cat "$n.md"; echo; }; done
  for f in *.md; do n="${f%.md}"; [[ " ${order[*]} " == *" $n "* ]] || { cat "$f"; echo; }; done
} > ../../README.md.tmp
mv ../../README.md.tmp ../../README.md
