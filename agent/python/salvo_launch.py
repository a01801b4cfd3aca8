"""Runs a Python script as a Salvo trial, or lists the flags a script defines.

  ENTRY inspect SCRIPT      prints the script's flags as JSON
  ENTRY run SCRIPT          runs SCRIPT with the flags in $SALVO_FLAGS_JSON

ENTRY is the small script Salvo installs beside this module (salvo_entry.py); it imports
this module, so the interpreter loads it from its cached bytecode instead of compiling
it for every trial.

Flags of a plain script are its top-level assignments of literal values (numbers,
strings, booleans, None, lists of those). To run it with other values, the first
top-level assignment of each given name is left out and the name is preset in the
module's globals, so the user's file is never edited. A script that imports argparse
gets its flags as `--name value` arguments instead. The compiled (and, for a plain
script, rewritten) code is cached in `code/` beside this module, keyed by the script's
text and the flag names, so the trials of a batch compile their script once. Only
built-in modules are imported before the script runs (`ast` and `json` cost more than a
small script), and the script sees the same sys.path and `__main__` module as when run
as `python SCRIPT`. Works on any Python 3.
"""

import _ast
import _imp
import marshal
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# Part of every cache key: change it when the rewriting of scripts changes.
_CODE_CACHE_VERSION = 1


def _literal(node):
    if isinstance(node, _ast.Constant) and (
        node.value is None or isinstance(node.value, (bool, int, float, str))
    ):
        return True, node.value
    if isinstance(node, _ast.UnaryOp) and isinstance(node.op, (_ast.USub, _ast.UAdd)):
        ok, value = _literal(node.operand)
        if ok and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, -value if isinstance(node.op, _ast.USub) else value
    if isinstance(node, _ast.List):
        items = []
        for elt in node.elts:
            ok, value = _literal(elt)
            if not ok or isinstance(value, list):
                return False, None
            items.append(value)
        # An empty list is an accumulator (`history = []`), never a set of flag values.
        return (True, items) if items else (False, None)
    return False, None


def _assigned_name(stmt):
    if isinstance(stmt, _ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, _ast.Name):
            return target.id, stmt.value
    if isinstance(stmt, _ast.AnnAssign) and stmt.value is not None:
        if isinstance(stmt.target, _ast.Name):
            return stmt.target.id, stmt.value
    return None, None


def _walk(tree):
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                todo.extend(v for v in value if isinstance(v, _ast.AST))
            elif isinstance(value, _ast.AST):
                todo.append(value)


def _uses_argparse(tree):
    for node in _walk(tree):
        if isinstance(node, _ast.Import):
            if any(alias.name == "argparse" for alias in node.names):
                return True
        if isinstance(node, _ast.ImportFrom) and node.module == "argparse":
            return True
    return False


def _global_flags(tree):
    flags = {}
    for stmt in tree.body:
        name, value = _assigned_name(stmt)
        if name is None or name.startswith("_") or name in flags:
            continue
        ok, literal = _literal(value)
        if ok:
            flags[name] = literal
    return flags


class _ParserCaptured(Exception):
    pass


def _argparse_flags(path):
    """Runs the script until it parses its arguments, and reads the parser's actions."""
    import argparse
    import runpy

    captured = {}

    def capture(parser, args=None, namespace=None):
        for action in parser._actions:
            if not action.option_strings or action.dest in ("help",):
                continue
            long_opts = [o for o in action.option_strings if o.startswith("--")]
            if not long_opts:
                continue
            name = long_opts[0][2:]
            default = action.default
            if isinstance(default, (bool, int, float, str)) or default is None:
                captured[name] = default
        raise _ParserCaptured()

    argparse.ArgumentParser.parse_args = capture
    argparse.ArgumentParser.parse_known_args = capture
    sys.argv = [path]
    try:
        runpy.run_path(path, run_name="__main__")
    except _ParserCaptured:
        pass
    except SystemExit:
        pass
    return captured


def _json_text(value):
    """JSON for the literal values a script's flags can have, with the json module's
    C string encoder: importing json (and re with it) costs more than a small script.
    None for anything else (a non-finite float), which then goes through json."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value - value == 0 else None
    if isinstance(value, str):
        import _json

        return _json.encode_basestring_ascii(value)
    if isinstance(value, list):
        items = [_json_text(v) for v in value]
        return None if None in items else "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        items = [(_json_text(k), _json_text(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in items):
            return None
        return "{" + ", ".join("%s: %s" % kv for kv in items) + "}"
    return None


def inspect(path):
    with open(path, "rb") as f:
        source = f.read()
    tree = compile(source, path, "exec", _ast.PyCF_ONLY_AST)
    if _uses_argparse(tree):
        _use_script_path(path)
        out = {"dest": "args", "flags": _argparse_flags(path)}
    else:
        out = {"dest": "globals", "flags": _global_flags(tree)}
    text = _json_text(out)
    if text is None:
        import json

        text = json.dumps(out)
    sys.stdout.write(text + "\n")


def _arg_text(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "null"
    return str(value)


def _read_flags():
    # $SALVO_FLAGS_JSON is JSON written by Salvo; JSON's literals are Python's once
    # true/false/null are named, which spares the json module's import time.
    text = os.environ.get("SALVO_FLAGS_JSON", "{}")
    names = {"__builtins__": {}, "true": True, "false": False, "null": None,
             "NaN": float("nan"), "Infinity": float("inf")}
    return eval(text, names, {})


def _use_script_path(path):
    # The entry script put this module's folder first on sys.path; the script's folder
    # takes its place, as for `python SCRIPT` (nothing under PYTHONSAFEPATH).
    if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
        del sys.path[0]
    if not getattr(sys.flags, "safe_path", False):
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))


def _compiled(path, source, skip):
    """The script's code, without the first top-level assignment of each name in
    `skip`, from the cache when an earlier trial compiled the same text."""
    key = "%s\0%s\0" % (path, ",".join(sorted(skip)))
    cache = None
    source_hash = getattr(_imp, "source_hash", None)
    if source_hash is not None:
        digest = source_hash(_CODE_CACHE_VERSION, key.encode() + source).hex()
        name = "%s.%s.code" % (digest, sys.implementation.cache_tag)
        cache = os.path.join(_HERE, "code", name)
        try:
            with open(cache, "rb") as f:
                return marshal.loads(f.read())
        except (OSError, EOFError, ValueError, TypeError):
            pass

    if skip:
        tree = compile(source, path, "exec", _ast.PyCF_ONLY_AST)
        remaining = set(skip)
        body = []
        for stmt in tree.body:
            name = _assigned_name(stmt)[0]
            if name in remaining:
                remaining.discard(name)
                continue
            body.append(stmt)
        tree.body = body
        code = compile(tree, path, "exec", dont_inherit=True)
    else:
        code = compile(source, path, "exec", dont_inherit=True)

    # Written even under PYTHONDONTWRITEBYTECODE: the cache is in Salvo's folder.
    if cache is not None:
        tmp = "%s.%d.tmp" % (cache, os.getpid())
        try:
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(marshal.dumps(code))
            os.replace(tmp, cache)
        except OSError:
            pass
    return code


def run(path, dest):
    flags = _read_flags()
    _use_script_path(path)
    with open(path, "rb") as f:
        source = f.read()
    main_module = type(sys)("__main__")
    main_module.__file__ = path
    main_module.__builtins__ = __builtins__
    sys.modules["__main__"] = main_module

    if dest == "args":
        argv = [path]
        for name in sorted(flags):
            if flags[name] is not None:
                argv += ["--" + name, _arg_text(flags[name])]
        sys.argv = argv
        exec(_compiled(path, source, ()), main_module.__dict__)
        return

    # Leave out the first top-level assignment of each provided flag, and preset it.
    code = _compiled(path, source, flags)
    main_module.__dict__.update(flags)
    sys.argv = [path]
    exec(code, main_module.__dict__)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("inspect", "run"):
        sys.stderr.write("usage: salvo_entry.py inspect|run SCRIPT\n")
        sys.exit(2)
    if sys.argv[1] == "inspect":
        inspect(sys.argv[2])
    else:
        run(sys.argv[2], os.environ.get("SALVO_FLAGS_DEST", "globals"))


if __name__ == "__main__":
    main()
