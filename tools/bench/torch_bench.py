#!/usr/bin/env python3
"""PyTorch CPU baseline for `tare bench runtime`: the same Qwen2 checkpoint and token ids, plain torch ops.

Reads a Qwen2ForSequenceClassification checkpoint directory (config.json + one model.safetensors, as written by
`tare bench runtime --keep-model DIR`) and a JSON file of token-id sequences (all the same length), runs the
Qwen2 forward (RMSNorm, RoPE, GQA causal attention, SwiGLU MLP, score head read at the last token) and prints one
JSON line: tokens/s per repeat and the scores.

--dtype f32 widens the weights to float32 and computes in float32. --dtype bf16 keeps BF16 weights and computes as
transformers' eager Qwen2 forward does under dtype=bfloat16: bf16 activations and matmuls (oneDNN, AMX where the CPU
has it), RMSNorm's variance in float32, softmax in float32 cast back to bf16.
--engine plain (default) needs only torch (Debian python3-torch, torch 1.13). --engine transformers loads the folder
with transformers' AutoModelForSequenceClassification in the requested dtype and times its own forward; it exits
with code 3 and one line on stderr when transformers cannot be imported.
"""
import argparse
import json
import math
import mmap
import os
import re
import struct
import sys
import time

import torch

DTYPES = {"BF16": torch.bfloat16, "F32": torch.float32, "F16": torch.float16}


def openblas_core():
    """The kernel set the OpenBLAS loaded into this process runs (e.g. SkylakeX, Haswell; Prescott is its SSE3
    fallback for CPUs it does not recognise), or None when torch does not use OpenBLAS."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "libopenblas" in line or "libblas.so" in line}
        import ctypes
        for lib in sorted(libs):
            handle = ctypes.CDLL(lib)
            if hasattr(handle, "openblas_get_corename"):
                handle.openblas_get_corename.restype = ctypes.c_char_p
                return handle.openblas_get_corename().decode()
    except OSError:
        pass
    return None


def blas_info():
    """torch's BLAS_INFO build setting: "mkl" (PyPI wheels for x86), "open" (OpenBLAS), "generic" (Debian: the system
    libblas.so.3, whichever library the alternative or LD_LIBRARY_PATH provides), or None when not stated."""
    m = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return m.group(1) if m else None


def cpu_capability():
    """The SIMD level ATen's own kernels run (e.g. AVX512, AVX2; ATEN_CPU_CAPABILITY lowers it), or None if unstated."""
    try:
        return torch.backends.cpu.get_cpu_capability()
    except AttributeError:   # torch < 2.1 states it in its build summary
        m = re.search(r"CPU capability usage: (\w+)", torch.__config__.show())
        return m.group(1) if m else None


def load_safetensors(path):
    """Maps the file and returns {name: tensor in its stored dtype} (copy-on-write views, no full read)."""
    f = open(path, "rb")
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        count = (end - start) // torch.tensor([], dtype=dt).element_size()
        t = torch.frombuffer(mm, dtype=dt, count=count, offset=base + start)
        out[name] = t.reshape(info["shape"])
    return out


class Qwen2:
    def __init__(self, model_dir, dtype):
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        self.layers = c["num_hidden_layers"]
        self.hidden = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c["num_key_value_heads"]
        self.head_dim = self.hidden // self.heads
        self.eps = c["rms_norm_eps"]
        self.theta = c.get("rope_theta", 10000.0)
        w = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        self.dtype = dtype
        self.embed = w["model.embed_tokens.weight"]          # kept as stored; rows are converted on lookup
        f32 = lambda name: w[name].to(dtype).contiguous()
        self.p = []
        for i in range(self.layers):
            pre = "model.layers.%d." % i
            self.p.append({k: f32(pre + k) for k in (
                "input_layernorm.weight", "post_attention_layernorm.weight",
                "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
                "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.o_proj.weight",
                "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight")})
        self.norm = f32("model.norm.weight")
        self.score = f32("score.weight")

    def rms(self, x, w):
        # as transformers' Qwen2RMSNorm: the variance in float32, the product back in the input dtype
        x32 = x.float()
        return w * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype)

    def forward(self, ids):
        B, L = ids.shape
        x = self.embed[ids].to(self.dtype)
        inv = 1.0 / (self.theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        freqs = torch.outer(torch.arange(L, dtype=torch.float32), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(self.dtype), emb.sin().to(self.dtype)
        mask = torch.full((L, L), float("-inf")).triu(1).to(self.dtype)
        groups = self.heads // self.kv_heads
        F = torch.nn.functional

        def rot(t):
            t1, t2 = t[..., : self.head_dim // 2], t[..., self.head_dim // 2:]
            return torch.cat((-t2, t1), dim=-1)

        for p in self.p:
            h = self.rms(x, p["input_layernorm.weight"])
            q = F.linear(h, p["self_attn.q_proj.weight"], p["self_attn.q_proj.bias"]).view(B, L, self.heads, self.head_dim).transpose(1, 2)
            k = F.linear(h, p["self_attn.k_proj.weight"], p["self_attn.k_proj.bias"]).view(B, L, self.kv_heads, self.head_dim).transpose(1, 2)
            v = F.linear(h, p["self_attn.v_proj.weight"], p["self_attn.v_proj.bias"]).view(B, L, self.kv_heads, self.head_dim).transpose(1, 2)
            q = q * cos + rot(q) * sin
            k = k * cos + rot(k) * sin
            k = k.repeat_interleave(groups, dim=1)
            v = v.repeat_interleave(groups, dim=1)
            w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + mask, dim=-1, dtype=torch.float32)
            a = w.to(self.dtype) @ v
            x = x + F.linear(a.transpose(1, 2).reshape(B, L, self.hidden), p["self_attn.o_proj.weight"])
            h = self.rms(x, p["post_attention_layernorm.weight"])
            x = x + F.linear(F.silu(F.linear(h, p["mlp.gate_proj.weight"])) * F.linear(h, p["mlp.up_proj.weight"]), p["mlp.down_proj.weight"])
        x = self.rms(x, self.norm)
        return F.linear(x[:, -1, :], self.score)   # no pad tokens in the inputs: the score token is the last one


class Transformers:
    """transformers' own Qwen2ForSequenceClassification on the folder, in the requested dtype."""

    def __init__(self, model_dir, dtype):
        try:
            import transformers
            from transformers import AutoModelForSequenceClassification
        except Exception as e:  # noqa: BLE001 - any import failure means "not available"
            print("transformers is not importable by %s: %s" % (sys.executable, e), file=sys.stderr)
            sys.exit(3)
        self.version = transformers.__version__
        major = int(self.version.split(".")[0])
        kw = {"dtype": dtype} if major >= 5 else {"torch_dtype": dtype}
        self.model = AutoModelForSequenceClassification.from_pretrained(model_dir, **kw).eval()
        self.attn = getattr(self.model.config, "_attn_implementation", None)

    def forward(self, ids):
        return self.model(input_ids=ids).logits


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="checkpoint directory (config.json + model.safetensors)")
    ap.add_argument("--ids", required=True, help="JSON file: a list of equal-length token-id lists")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads (default: all CPUs)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs after the warm-up runs")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2: oneDNN builds its kernels on the first)")
    ap.add_argument("--dtype", choices=("f32", "bf16"), default="f32", help="compute dtype (default f32)")
    ap.add_argument("--engine", choices=("plain", "transformers"), default="plain",
                    help="plain torch ops (default) or transformers' own model class")
    ap.add_argument("--stepped", action="store_true",
                    help="after the warm-up print 'ready', then run each timed forward when a line arrives on stdin and print "
                         "'done' after it (stdin closed: stop early), so a caller can interleave its own runs with these")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.ids) as f:
        seqs = json.load(f)
    if not seqs or len({len(s) for s in seqs}) != 1:
        sys.exit("%s: expected a non-empty list of equal-length token-id lists" % args.ids)
    ids = torch.tensor(seqs, dtype=torch.long)
    t0 = time.perf_counter()
    dtype = torch.float32 if args.dtype == "f32" else torch.bfloat16
    model = Qwen2(args.model, dtype) if args.engine == "plain" else Transformers(args.model, dtype)
    load_s = time.perf_counter() - t0
    rates, scores, cpu = [], None, 0.0
    with torch.inference_mode():
        for r in range(args.warmup + args.repeats):
            if args.stepped and r >= args.warmup:
                if r == args.warmup:
                    print("ready", flush=True)
                if not sys.stdin.readline():
                    break
            t0, c0 = time.perf_counter(), time.process_time()
            scores = model.forward(ids)
            s = time.perf_counter() - t0
            timed = r >= args.warmup
            if timed:
                rates.append(ids.numel() / s)
                cpu += time.process_time() - c0
            print("torch run %d/%d: %.1f tokens/s%s" % (r - args.warmup + 1, args.repeats, ids.numel() / s, "" if timed else " (warm-up)"),
                  file=sys.stderr, flush=True)
            if args.stepped and timed:
                print("done", flush=True)
    print(json.dumps({"torch": torch.__version__, "engine": args.engine, "dtype": args.dtype,
                      "transformers": getattr(model, "version", None), "attn": getattr(model, "attn", None),
                      "mkldnn": torch.backends.mkldnn.is_available(), "threads": torch.get_num_threads(), "load_s": round(load_s, 2),
                      "blas_core": openblas_core(), "blas_info": blas_info(), "cpu_capability": cpu_capability(),
                      "tokens": ids.numel(), "tokens_per_s": [round(x, 2) for x in rates],
                      "tokens_per_cpu_s": round(ids.numel() * len(rates) / cpu, 2) if cpu > 0 else None,
                      "scores": [float(v) for v in scores[:, 0].float()]}))


if __name__ == "__main__":
    main()
