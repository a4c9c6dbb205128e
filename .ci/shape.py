"""The code shape of dminity, measured over nbs/ and dminity/ (issue 15): exported cell sizes, the longest functions,
`;` statement separators, long lines, public names, and what `core` imports. Prints the figures; with --check, exits 1
when a rule is broken: an exported cell or a function over 60 lines, a `;` separator, a line over 160 characters, or
core importing another dminity module. `python .ci/shape.py [--check] [NOTEBOOK ...]` (all of nbs/ by default)."""
import ast, glob, io, json, re, statistics, sys, tokenize
from pathlib import Path

MAX_CELL, MAX_FUNCTION, MAX_LINE = 60, 60, 160

def code_cells(notebook):
    "The code cells of `notebook` as (source, exported)"
    for c in json.loads(Path(notebook).read_text())["cells"]:
        if c["cell_type"] == "code":
            src = "".join(c["source"])
            yield src, bool(re.match(r"\s*#\|\s*export\b", src))

def semicolons(src) -> int:
    "`;` tokens in Python source (shell `!` and `%` magic lines left out)"
    code = "\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("!", "%")))
    try: return sum(t.type == tokenize.OP and t.string == ";" for t in tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError): return 0

def long_lines(src, where) -> list:
    "A problem for each line of `src` over `MAX_LINE` characters"
    return [f"{where}: a line of {len(l)} characters" for l in src.splitlines() if len(l) > MAX_LINE]

def measure(notebooks, modules) -> tuple:
    "(figures, problems) of `notebooks` and `modules`"
    sizes, problems = [], []
    for nb in notebooks:
        for src, exported in code_cells(nb):
            problems += long_lines(src, nb)
            if semicolons(src): problems.append(f"{nb}: `;` in a cell starting {src.splitlines()[0][:60]!r}")
            if exported:
                n = len([l for l in src.rstrip().splitlines() if not l.startswith("#|")])
                sizes.append((n, Path(nb).name, src.splitlines()[1][:50] if src.count("\n") else ""))
                if n > MAX_CELL: problems.append(f"{nb}: an exported cell of {n} lines: {sizes[-1][2]!r}")
    functions, public = [], 0
    for m in modules:
        tree = ast.parse(Path(m).read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((node.end_lineno - node.lineno + 1, Path(m).name, node.name))
        public += len(re.findall(r"'[^']+'", (re.search(r"__all__ = \[(.*?)\]", Path(m).read_text(), re.S) or [None, ""])[1]))
    problems += [f"{m}: {name} is {n} lines long" for n, m, name in functions if n > MAX_FUNCTION]
    core = Path("dminity/core.py")
    if core.exists():
        imports = sorted(set(re.findall(r"^\s*(?:from|import) (dminity\.\w+|\.\w+)", core.read_text(), re.M)))
        problems += [f"dminity/core.py imports {i}" for i in imports]
    n = [s for s, *_ in sizes]
    figures = {"exported_cells": len(n), "median_lines": statistics.median(n) if n else 0, "largest": sorted(sizes)[-3:],
               "longest_functions": sorted(functions)[-3:], "public_names": public}
    return figures, problems

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--check"]
    notebooks = args or sorted(glob.glob("nbs/*.ipynb"))
    modules = [m for m in sorted(glob.glob("dminity/*.py")) if not m.endswith("_modidx.py")]
    if args: modules = [m for m in modules if any(f"File to edit: ../nbs/{Path(a).name}" in Path(m).read_text() for a in args)]
    figures, problems = measure(notebooks, modules)
    for k, v in figures.items(): print(f"{k}: {v}")
    for p in problems: print("  ", p)
    print(f"code shape: {len(problems)} problems")
    sys.exit(1 if problems and "--check" in sys.argv else 0)
