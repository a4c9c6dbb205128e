"""The web app under hostile clients: good uploads answered, hostile requests refused, memory bounded, still serving.

    python benchmarks/app_hostile.py --run runs/demo [--photos ../shared/data/coco128/train2017] [--uploads 50] [--json FILE]

Starts `dminity app --run RUN` in its own process (default limits) and sends, at the same time: UPLOADS uploads of
real photos to /api/detect (one photo each, from 50 threads; a 503 is retried after its `Retry-After`, as a
well-behaved client does) and the hostile requests: a 200 MB body sent chunked (no Content-Length), one request of
16 flat 60-megapixel PNGs, an EPS file, a 1x5000 image. Then it checks that the app still serves. Prints a table
(answered, refused, p50/p95 latency) and the server's peak RSS (VmHWM from /proc), and writes the figures as JSON.
The client shares the machine with the server: on a small machine the latencies are a ceiling.
"""
import argparse, io, json, os, platform, select, socket, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from dminity.testing import app_process


def server_pid(port:int) -> int:
    "The process id of the `dminity app` listening on `port`"
    for proc in Path("/proc").iterdir():
        try: argv = (proc/"cmdline").read_bytes().split(b"\0")
        except OSError: continue
        if b"app" in argv and str(port).encode() in argv and proc.name.isdigit(): return int(proc.name)
    raise RuntimeError(f"no `dminity app` process on port {port}")

def rss_mb(pid:int, field:str="VmRSS") -> float:
    "A memory figure of process `pid` from /proc/PID/status, in MB (VmRSS now, VmHWM its peak)"
    line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith(field + ":"))
    return int(line.split()[1])/1024

def good_upload(url:str, photo:Path) -> dict:
    "One photo to /api/detect, retried after `Retry-After` while the app is busy: status, latency, retries"
    start, retries = time.perf_counter(), 0
    while True:
        r = httpx.post(f"{url}/api/detect", files={"images": (photo.name, photo.read_bytes(), "image/jpeg")}, timeout=300)
        if r.status_code != 503 or retries >= 30: break
        retries += 1
        time.sleep(float(r.headers.get("retry-after", 1)))
    answered = r.status_code == 200 and "amenities" in r.json()["results"][0]
    return {"kind": "photo", "status": r.status_code, "answered": answered, "refused": False, "retries": retries,
            "ms": (time.perf_counter() - start)*1000, "detail": None if answered else r.text[:200]}

def chunked_200mb(url:str) -> dict:
    "A 200 MB multipart body with Transfer-Encoding: chunked, 1 MB a chunk until the server answers"
    start, sent, reply = time.perf_counter(), 0, b""
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=120) as s:
        s.sendall(b"POST /api/detect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        head = b'--x\r\nContent-Disposition: form-data; name="images"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        try:
            for chunk in [head] + [b"\xff"*1_000_000]*200 + [b"\r\n--x--\r\n", b""]:  # the last: the end of the chunked body
                if select.select([s], [], [], 0)[0]: break
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            while not reply.endswith(b"}"):
                data = s.recv(65536)
                if not data: break
                reply += data
        except (BrokenPipeError, ConnectionResetError, TimeoutError) as e: reply = reply or f"{type(e).__name__}".encode()
    status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else None
    return {"kind": "chunked 200 MB", "status": status, "answered": False, "refused": status == 413, "retries": 0,
            "ms": (time.perf_counter() - start)*1000, "detail": f"{sent/1e6:.0f} MB sent before the answer: {reply[-120:].decode(errors='replace')}"}

def upload(url:str, kind:str, files:list) -> dict:
    "One request of hostile `files`; refused when the request is, or when every image of it gets an error"
    start = time.perf_counter()
    r = httpx.post(f"{url}/api/detect", files=[("images", f) for f in files], timeout=300)
    results = r.json().get("results", []) if r.headers.get("content-type", "").startswith("application/json") else []
    refused = r.status_code in (400, 413, 503) or (r.status_code == 200 and all("error" in x for x in results))
    answered = r.status_code == 200 and all("amenities" in x for x in results)
    first = next((x.get("error") for x in results if "error" in x), None) or r.text[:120]
    return {"kind": kind, "status": r.status_code, "answered": answered, "refused": refused, "retries": 0,
            "ms": (time.perf_counter() - start)*1000, "detail": first}

def hostile_files() -> dict:
    "The hostile uploads: 16 flat 60 MP PNGs, an EPS, a 1x5000 image"
    flat = io.BytesIO()
    Image.new("1", (7746, 7746)).save(flat, "PNG")
    eps = io.BytesIO()
    Image.new("RGB", (64, 64), (0, 128, 0)).save(eps, "EPS")
    thin = io.BytesIO()
    Image.new("RGB", (1, 5000), (90, 90, 90)).save(thin, "PNG")
    return {"16 flat 60 MP PNGs": [(f"flat{i}.png", flat.getvalue(), "image/png") for i in range(16)],
            "EPS": [("drawing.eps", eps.getvalue(), "application/postscript")],
            "1x5000 image": [("line.png", thin.getvalue(), "image/png")]}

def cpu_flags() -> list:
    flags = next((l.split(":", 1)[1].split() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("flags")), [])
    return [f for f in flags if f.startswith(("avx", "amx")) or f in ("fma", "f16c")]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", required=True, help="the run folder whose models the app serves")
    p.add_argument("--photos", default="../shared/data/coco128/train2017", help="a folder of real photos (JPEG)")
    p.add_argument("--uploads", type=int, default=50, help="good uploads, all sent at once (default: 50)")
    p.add_argument("--json", default=None, help="write the figures here (default: RUN/app/hostile.json)")
    args = p.parse_args()
    photos = sorted(Path(args.photos).glob("*.jpg"))
    if not photos: raise SystemExit(f"no photos in {args.photos}")
    photos = [photos[i % len(photos)] for i in range(args.uploads)]
    hostile = hostile_files()
    load_before = os.getloadavg()
    with app_process("--run", args.run) as url:
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        idle_mb, samples, done = rss_mb(pid), [], threading.Event()
        def sample():
            while not done.is_set():
                samples.append(rss_mb(pid))
                time.sleep(0.05)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        with ThreadPoolExecutor(args.uploads + 4) as pool:
            jobs = [pool.submit(chunked_200mb, url)] + [pool.submit(upload, url, k, f) for k, f in hostile.items()]
            jobs += [pool.submit(good_upload, url, photo) for photo in photos]
            rows = [j.result() for j in jobs]
        seconds = time.perf_counter() - start
        after = [httpx.get(f"{url}/health", timeout=10).status_code, good_upload(url, photos[0])["status"]]
        done.set()
        sampler.join()
        peak_mb = rss_mb(pid, "VmHWM")
    good = [r for r in rows if r["kind"] == "photo"]
    ms = np.array([r["ms"] for r in good])
    summary = {"uploads": len(good), "answered": sum(r["answered"] for r in good), "answered_first_try": sum(r["answered"] and not r["retries"] for r in good),
               "retried_after_503": sum(r["retries"] > 0 for r in good), "latency_ms_p50": round(float(np.median(ms)), 1),
               "latency_ms_p95": round(float(np.percentile(ms, 95)), 1), "hostile": len(rows) - len(good),
               "hostile_refused": sum(r["refused"] for r in rows if r["kind"] != "photo"), "seconds": round(seconds, 2),
               "server_rss_idle_mb": round(idle_mb, 1), "server_rss_peak_mb": round(peak_mb, 1),
               "server_rss_peak_sampled_mb": round(max(samples), 1), "still_serving": after == [200, 200]}
    print(f"{'request':20s} {'status':>6s} {'answered':>8s} {'refused':>7s} {'ms':>8s}  detail")
    for r in rows:
        if r["kind"] != "photo": print(f"{r['kind']:20s} {r['status']!s:>6s} {r['answered']!s:>8s} {r['refused']!s:>7s} {r['ms']:8.0f}  {r['detail']}")
    print(f"{'50 real photos' if len(good) == 50 else f'{len(good)} real photos':20s} answered {summary['answered']}/{len(good)} "
          f"({summary['answered_first_try']} at the first try, {summary['retried_after_503']} after a 503), "
          f"p50 {summary['latency_ms_p50']:.0f} ms, p95 {summary['latency_ms_p95']:.0f} ms")
    print(f"server RSS: idle {idle_mb:.0f} MB, peak {peak_mb:.0f} MB (VmHWM); still serving afterwards: {summary['still_serving']}; "
          f"{seconds:.1f} s in all; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    out = Path(args.json or Path(args.run)/"app"/"hostile.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "rows": rows, "machine": platform.processor() or platform.machine(),
                               "cpu_flags": cpu_flags(), "cores": len(os.sched_getaffinity(0)), "load_before": load_before,
                               "load_after": os.getloadavg(), "run": str(args.run)}, indent=2) + "\n")
    print(f"figures: {out}")


if __name__ == "__main__": main()
