"""The benchmark harness behind `python -m wi bench` and the pytest-benchmark suite in bench/.

cases: the contenders (wi, NumPy, torch, memset) filling one shared buffer; timing: warm-up,
calibration and medians; runner: the sweep over sizes, dtypes and threads; table and plot:
the report; cli: the command-line options.
"""
