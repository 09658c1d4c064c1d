"""wi.jax.from_fill on a host forced to 4 CPU devices: every mesh and PartitionSpec gives one fill.

The sharded cases run in one subprocess (this file run as a script) because
the device count is fixed when JAX starts: XLA_FLAGS must be set before that.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("jax")  # the engine tests run where the extra is installed (CI: always)

from engine_cases import FILLS, OFFSET, SEED, STREAM, fill_id, same_bytes, whole  # noqa: E402

MESHES = {  # mesh shape: PartitionSpecs to try (axis names "x", "y")
    (1,): [("x", None), (None, "x"), ()],
    (4,): [("x", None), (None, "x"), (), (None, None)],
    (2, 2): [("x", None), (None, "y"), ("x", "y"), ("y", "x"), (("x", "y"), None), (None, ("y", "x"))],
}
SHAPES = [(36, 20), (8, 12, 4)]  # dimensions divisible by every mesh axis they are cut along


def _case_ids():
    ids = []
    for mesh, specs in MESHES.items():
        for spec in specs:
            for shape in SHAPES:
                for case in FILLS:
                    ids.append(f"mesh{mesh}-P{spec}-{shape}-{fill_id(case)}")
    return ids


def _run_sharded_cases():
    """In the 4-device subprocess: {case id: what the check found}."""
    import jax
    from jax.sharding import NamedSharding, PartitionSpec

    import wi.jax

    assert jax.device_count() == 4, jax.devices()
    results = {}
    ids = iter(_case_ids())
    for mesh_shape, specs in MESHES.items():
        names = ("x", "y")[: len(mesh_shape)]
        mesh = jax.make_mesh(mesh_shape, names, devices=jax.devices()[: np.prod(mesh_shape)])
        for spec in specs:
            for shape in SHAPES:
                pspec = PartitionSpec(*(spec + (None,) * (len(shape) - len(spec))))
                sharding = NamedSharding(mesh, pspec)
                for fill, dtype, kwargs in FILLS:
                    arr = wi.jax.from_fill(
                        fill, shape, sharding, dtype=dtype, seed=SEED, stream=STREAM,
                        offset=OFFSET, **kwargs,
                    )
                    expected = whole(fill, shape, dtype, kwargs)
                    shards_ok = all(
                        same_bytes(np.asarray(s.data), expected[s.index]) for s in arr.addressable_shards
                    )
                    results[next(ids)] = {
                        "equal": same_bytes(np.asarray(arr), expected),
                        "sharding": arr.sharding == sharding,
                        "shards": shards_ok,
                        "devices": len({s.device for s in arr.addressable_shards}) == mesh.size,
                    }
    results["initializer out_sharding"] = _initializer_on_sharding(NamedSharding, PartitionSpec)
    results["complex initializers out_sharding"] = _complex_on_sharding(NamedSharding, PartitionSpec)
    return results


def _initializer_on_sharding(NamedSharding, PartitionSpec):
    """A Flax-style initialiser with out_sharding: eager and jitted equal the unsharded one."""
    import jax

    import wi.jax.initializers as winit

    init, key = winit.he_normal(), jax.random.key(7)
    plain = np.asarray(init(key, (16, 8)))
    found = {"equal": True, "sharding": True, "shards": True, "devices": True}
    # jax.make_mesh's axes are Explicit (JAX then wants the mesh set under jit); Auto too.
    for axis_type in (jax.sharding.AxisType.Explicit, jax.sharding.AxisType.Auto):
        mesh = jax.make_mesh((2, 2), ("x", "y"), axis_types=(axis_type,) * 2)
        sharding = NamedSharding(mesh, PartitionSpec("x", "y"))
        eager = init(key, (16, 8), out_sharding=sharding)
        with jax.set_mesh(mesh):
            jitted = jax.jit(lambda k: init(k, (16, 8), out_sharding=sharding))(key)
        found["equal"] &= same_bytes(eager, plain) and same_bytes(jitted, plain)
        found["sharding"] &= eager.sharding == sharding and jitted.sharding.is_equivalent_to(sharding, 2)
        found["devices"] &= len(eager.sharding.device_set) == 4
    return found


def _complex_on_sharding(NamedSharding, PartitionSpec):
    """Complex initialisers fill their shards through the real view: every cut gives one fill."""
    import jax

    import wi.jax.initializers as winit

    key, shape = jax.random.key(3), (16, 8, 4)
    mesh = jax.make_mesh((2, 2), ("x", "y"), axis_types=(jax.sharding.AxisType.Auto,) * 2)
    found = {"equal": True, "sharding": True, "shards": True, "devices": True}
    for init in (winit.normal(0.5), winit.he_uniform(), winit.glorot_normal()):
        for dtype in ("complex64", "complex128"):
            plain = np.asarray(init(key, shape, dtype))
            for spec in (PartitionSpec("x", "y"), PartitionSpec(None, "x", "y"), PartitionSpec(("x", "y"))):
                sharding = NamedSharding(mesh, spec)
                got = init(key, shape, dtype, out_sharding=sharding)
                found["equal"] &= same_bytes(got, plain)
                found["sharding"] &= got.sharding == sharding
                found["shards"] &= all(same_bytes(s.data, plain[s.index]) for s in got.addressable_shards)
                found["devices"] &= len(got.sharding.device_set) == 4
    return found


@pytest.fixture(scope="module")
def sharded_results():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu",
               JAX_ENABLE_X64="1")  # for the float64 cases
    out = subprocess.run(
        [sys.executable, __file__], env=env, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", _case_ids() + ["initializer out_sharding", "complex initializers out_sharding"])
def test_every_mesh_and_spec_equals_one_fill(sharded_results, case):
    found = sharded_results[case]
    assert found == {"equal": True, "sharding": True, "shards": True, "devices": True}


# ---- in this process (one CPU device): from_fill's checks and the Flax-style initialisers ----


def test_from_fill_checks():
    import jax

    import wi
    import wi.jax

    single = jax.sharding.SingleDeviceSharding(jax.devices()[0])
    got = wi.jax.from_fill(wi.fill_normal, (5, 3), single, dtype="float32", seed=1)
    assert same_bytes(got, wi.fill_normal(np.empty((5, 3), np.float32), seed=1))
    with pytest.raises(TypeError, match="sharding must be a jax.sharding.Sharding"):
        wi.jax.from_fill(wi.fill_normal, (4,), "x", dtype="float32", seed=0)
    with pytest.raises(ValueError, match="seed must be an int, not None"):
        wi.jax.from_fill(wi.fill_normal, (4,), single, dtype="float32", seed=None)
    if not jax.config.jax_enable_x64:
        with pytest.raises(ValueError, match="dtype float64 needs 64-bit JAX"):
            wi.jax.from_fill(wi.fill_normal, (4,), single, dtype="float64", seed=0)


if __name__ == "__main__":
    print(json.dumps(_run_sharded_cases()))
