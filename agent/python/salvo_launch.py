"""Runs a Python script as a Salvo trial, or lists the flags a script defines.

  salvo_launch.py inspect SCRIPT      prints the script's flags as JSON
  salvo_launch.py run SCRIPT          runs SCRIPT with the flags in $SALVO_FLAGS_JSON

Flags of a plain script are its top-level assignments of literal values (numbers,
strings, booleans, None, lists of those). To run it with other values, the first
top-level assignment of each given name is left out and the name is preset in the
module's globals, so the user's file is never edited. A script that imports argparse
gets its flags as `--name value` arguments instead. Works on any Python 3.
"""

import _ast
import os
import sys


def _literal(node):
    if isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, (bool, int, float, str))
    ):
        return True, node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        ok, value = _literal(node.operand)
        if ok and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.List):
        items = []
        for elt in node.elts:
            ok, value = _literal(elt)
            if not ok or isinstance(value, list):
                return False, None
            items.append(value)
        return True, items
    return False, None


def _assigned_name(stmt):
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            return target.id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        if isinstance(stmt.target, ast.Name):
            return stmt.target.id, stmt.value
    return None, None


def _uses_argparse(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name == "argparse" for alias in node.names):
                return True
        if isinstance(node, ast.ImportFrom) and node.module == "argparse":
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


def inspect(path):
    global ast, json, runpy
    import ast
    import json
    import runpy

    with open(path) as f:
        source = f.read()
    tree = ast.parse(source, path)
    if _uses_argparse(tree):
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        out = {"dest": "args", "flags": _argparse_flags(path)}
    else:
        out = {"dest": "globals", "flags": _global_flags(tree)}
    sys.stdout.write(json.dumps(out) + "\n")


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


def _top_level_name(stmt):
    # The module's AST comes from compile() with the built-in _ast classes: importing
    # the ast module costs more than running a small script.
    if isinstance(stmt, _ast.Assign) and len(stmt.targets) == 1:
        if isinstance(stmt.targets[0], _ast.Name):
            return stmt.targets[0].id
    if isinstance(stmt, _ast.AnnAssign) and stmt.value is not None:
        if isinstance(stmt.target, _ast.Name):
            return stmt.target.id
    return None


def run(path, dest):
    flags = _read_flags()
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    with open(path) as f:
        source = f.read()
    module_globals = {"__name__": "__main__", "__file__": path,
                      "__builtins__": __builtins__}

    if dest == "args":
        argv = [path]
        for name in sorted(flags):
            if flags[name] is not None:
                argv += ["--" + name, _arg_text(flags[name])]
        sys.argv = argv
        exec(compile(source, path, "exec"), module_globals)
        return

    # Leave out the first top-level assignment of each provided flag.
    tree = compile(source, path, "exec", _ast.PyCF_ONLY_AST)
    remaining = set(flags)
    body = []
    for stmt in tree.body:
        name = _top_level_name(stmt)
        if name in remaining:
            remaining.discard(name)
            continue
        body.append(stmt)
    tree.body = body
    module_globals.update(flags)
    sys.argv = [path]
    exec(compile(tree, path, "exec"), module_globals)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("inspect", "run"):
        sys.stderr.write("usage: salvo_launch.py inspect|run SCRIPT\n")
        sys.exit(2)
    if sys.argv[1] == "inspect":
        inspect(sys.argv[2])
    else:
        run(sys.argv[2], os.environ.get("SALVO_FLAGS_DEST", "globals"))


if __name__ == "__main__":
    main()
