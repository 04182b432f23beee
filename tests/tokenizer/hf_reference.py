#!/usr/bin/env python3
"""Reference encodings from the Hugging Face `tokenizers` package, for dsmath's tokenizer tests.

  hf_reference.py encode TOKENIZER_JSON IN.jsonl OUT.jsonl [--special]
      IN lines: {"text": str} or {"b64": base64 bytes}; bytes are decoded the way a file opened
      with errors='replace' is (dsmath's policy for invalid UTF-8). OUT lines: {"ids": [...]}.
  hf_reference.py decode TOKENIZER_JSON IN.jsonl OUT.jsonl [--skip-special]
      IN lines: {"ids": [...]}; OUT lines: {"text": str}.
  hf_reference.py chat TOKENIZER_CONFIG_JSON IN.jsonl OUT.jsonl
      renders the config's chat_template with jinja2 as `transformers` apply_chat_template does
      (sandboxed environment, trim_blocks, lstrip_blocks). IN lines: {"messages": [...],
      "add_generation_prompt": bool}; OUT lines: {"text": str}.
  hf_reference.py chat-template TEMPLATE_FILE IN.jsonl OUT.jsonl
      renders a Jinja template file in the environment `transformers` builds for chat templates
      (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson filter
      and raise_exception). IN lines: {"context": {...template variables}}; OUT lines:
      {"text": str} or {"error": str} when the template raised.
  hf_reference.py golden TOKENIZER_JSON IN.jsonl FIELD OUT.jsonl [LIMIT]
      writes {"line": n, "ids": [...]} for the first LIMIT lines of a JSONL file's FIELD
      (used to make the committed golden files in tests/tokenizer/golden/).
Texts are encoded one by one (no batching), so no thread count can change the result.
"""
import base64
import json
import sys


def render_chat(config_path, in_path, out_path):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(config["chat_template"])
    with open(in_path, encoding="utf-8") as fin, open(out_path, "w", encoding="utf-8") as fout:
        for line in fin:
            rec = json.loads(line)
            text = template.render(messages=rec["messages"], add_generation_prompt=rec["add_generation_prompt"],
                                   bos_token=config["bos_token"], eos_token=config["eos_token"])
            fout.write(json.dumps({"text": text}) + "\n")


def render_chat_template(template_path, in_path, out_path):
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # as transformers' _compile_jinja_template: these two are what it adds to jinja2
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    with open(template_path, encoding="utf-8") as f:
        template = env.from_string(f.read())
    with open(in_path, encoding="utf-8") as fin, open(out_path, "w", encoding="utf-8") as fout:
        for line in fin:
            rec = json.loads(line)
            try:
                out = {"text": template.render(**rec["context"])}
            except jinja2.exceptions.TemplateError as e:
                out = {"error": str(e)}
            fout.write(json.dumps(out) + "\n")


def main():
    mode, tok_path = sys.argv[1], sys.argv[2]
    if mode == "chat":
        return render_chat(tok_path, sys.argv[3], sys.argv[4])
    if mode == "chat-template":
        return render_chat_template(tok_path, sys.argv[3], sys.argv[4])
    # imported here: the chat modes need only jinja2
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tok_path)
    if mode == "encode":
        special = "--special" in sys.argv[5:]
        with open(sys.argv[3], encoding="utf-8") as fin, open(sys.argv[4], "w", encoding="utf-8") as fout:
            for line in fin:
                rec = json.loads(line)
                text = rec["text"] if "text" in rec else base64.b64decode(rec["b64"]).decode("utf-8", errors="replace")
                fout.write(json.dumps({"ids": tok.encode(text, add_special_tokens=special).ids}) + "\n")
    elif mode == "decode":
        skip = "--skip-special" in sys.argv[5:]
        with open(sys.argv[3], encoding="utf-8") as fin, open(sys.argv[4], "w", encoding="utf-8") as fout:
            for line in fin:
                ids = json.loads(line)["ids"]
                fout.write(json.dumps({"text": tok.decode(ids, skip_special_tokens=skip)}) + "\n")
    elif mode == "golden":
        src, field, out = sys.argv[3], sys.argv[4], sys.argv[5]
        limit = int(sys.argv[6]) if len(sys.argv) > 6 else None
        with open(src, encoding="utf-8") as fin, open(out, "w", encoding="utf-8") as fout:
            for n, line in enumerate(fin, start=1):
                if limit is not None and n > limit:
                    break
                text = json.loads(line)[field]
                fout.write(json.dumps({"line": n, "ids": tok.encode(text, add_special_tokens=False).ids}) + "\n")
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
