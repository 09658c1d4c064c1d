"""Print the core's C files, one per line, as setup.py's C_SOURCES lists them (read without
running setup.py), so scripts that build the core by hand use the one list."""
import ast
import pathlib

SETUP = pathlib.Path(__file__).resolve().parents[1] / "setup.py"

for node in ast.walk(ast.parse(SETUP.read_text())):
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "C_SOURCES":
        print("\n".join(ast.literal_eval(node.value)))
        break
else:
    raise SystemExit("C_SOURCES not found in setup.py")
