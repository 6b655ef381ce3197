# Selects a JDK 25 (JAVA_HOME if it is 25, else a Temurin/OpenJDK 25 under /usr/lib/jvm) and makes sure Maven exists.
_tare_is25() { [ -x "$1/bin/java" ] || return 1; local v; v=$("$1/bin/java" -version 2>&1) || return 1; [[ "${v%%$'\n'*}" == *'"25'* ]]; }
if [ -z "${JAVA_HOME:-}" ] || ! _tare_is25 "$JAVA_HOME"; then
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25*; do
    if _tare_is25 "$d"; then export JAVA_HOME="$d"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || ! _tare_is25 "$JAVA_HOME"; then
  echo "tare: no JDK 25 found; install Temurin 25 (e.g. apt-get install temurin-25-jdk) or set JAVA_HOME" >&2
  return 1 2>/dev/null || exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "tare: installing Maven (apt-get)..." >&2
  (apt-get update -qq && apt-get install -y -qq maven) >&2
fi
