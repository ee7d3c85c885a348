"""One kernel per cycle: every notebook still starts with an empty namespace and cell 1."""

from __future__ import annotations

from segkit_helpers.kernels import cycle_kernel, fresh_namespace


def run(km, code: str) -> dict:
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        outputs = []
        reply = client.execute_interactive(code, timeout=60, output_hook=outputs.append)
    finally:
        client.stop_channels()
    return {"count": reply["content"].get("execution_count"), "status": reply["content"]["status"],
            "text": "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")}


def test_fresh_namespace_forgets_names_and_restarts_the_count(tmp_path):
    with cycle_kernel(tmp_path) as km:
        assert run(km, "import os\nleft_over = 41\nprint(os.getcwd())")["text"].strip() == str(tmp_path)
        assert run(km, "left_over += 1")["count"] == 2
        fresh_namespace(km)
        after = run(km, "print('left_over' in dir(), 'TQDM_DISABLE' in __import__('os').environ)")
        assert after["text"].split() == ["False", "True"]  # the name is gone; the kernel's environment stays
        assert after["count"] == 1
    assert not km.has_kernel
