"""wi.torch.reproducible on sharded models: the model's own init code gives the unsharded bytes.

For world sizes 1-4, one set of gloo ranks per world size (spawn_ranks; fresh processes, one
thread each, a deadline) runs tests/reproducible_worker.py: transformers GPT2LMHeadModel,
LlamaForCausalLM and BertModel, a torchtitan-style Llama, a timm-style ViT and a nanoGPT-style GPT
(tests/reproducible_models.py), each built on meta, laid out with FSDP2 (fully_shard per block and
on the root), with tensor parallelism (ColwiseParallel / RowwiseParallel on the attention and MLP
projections, parallelize_module) and, on 4 ranks, both on a (2, 2) mesh; materialised with
to_empty and initialised by its own code inside the block. Every parameter's full_tensor() digest
must equal the unsharded run's, computed here in the test process. The negative control runs the
same code without the block: its digests must differ with the world size, so the comparison can
tell a wrong fill from a right one.
"""
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
if not torch.distributed.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

import reproducible_models as rm  # noqa: E402
import reproducible_worker as worker  # noqa: E402
from spawn_ranks import run_ranks  # noqa: E402

WORLD_SIZES = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reproducible")
    return {world: run_ranks("reproducible_worker", "run", world, tmp) for world in WORLD_SIZES}


@pytest.fixture(scope="module")
def unsharded():
    """Each model's digests from one process, no mesh: the meta flow and its own init, in the block."""
    out = {name: worker.init_under_block(name, rm.build_laid_out(name, "plain")) for name in rm.SPECS}
    torch.manual_seed(worker.TORCH_SEED)
    out["seed_none"] = worker.init_under_block("titan_llama", rm.build_laid_out("titan_llama", "plain"), seed=None)
    return out


@pytest.mark.parametrize("world", WORLD_SIZES)
@pytest.mark.parametrize("name", list(rm.SPECS))
def test_every_layout_gives_the_unsharded_digests(reports, unsharded, world, name):
    for layout in worker.layouts(world):
        got = reports[world][name][layout]
        wrong = sorted(k for k in unsharded[name] if got.get(k) != unsharded[name][k])
        assert got.keys() == unsharded[name].keys(), layout
        assert not wrong, f"{name}, {layout} on {world} ranks: {len(wrong)} parameters differ: {wrong[:6]}"


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_seed_none_takes_its_key_from_torchs_seeding_on_every_rank(reports, unsharded, world):
    assert reports[world]["seed_none"] == unsharded["seed_none"]
    assert unsharded["seed_none"] != unsharded["titan_llama"]  # a key other than SEED's


@pytest.mark.parametrize("name", list(rm.SPECS))
def test_negative_control_without_the_block_depends_on_the_world_size(reports, unsharded, name):
    # the same code under torch: the random parameters sharded over more ranks come out different
    control = {world: reports[world][name]["control"] for world in WORLD_SIZES}
    for world in WORLD_SIZES[1:]:
        differ = [k for k in control[1] if control[world][k] != control[1][k]]
        assert len(differ) >= 4, (world, differ)
    # and the block changed what the code wrote (wi streams, not torch's)
    assert all(control[1][k] != unsharded[name][k] for k in differ)


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_a_partial_parameter_is_refused_before_anything_is_written(reports, world):
    assert reports[world]["partial_refused"]
