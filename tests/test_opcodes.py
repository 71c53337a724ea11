"""Every opcode has exactly one table entry and exactly one VM handler."""

from __future__ import annotations

import re
from pathlib import Path

from lang.opcodes import OPCODES, Op, jump_operand

VM_SOURCE = (Path(__file__).resolve().parent.parent / "runtime" / "vm.py").read_text()


def test_every_opcode_has_one_table_entry() -> None:
    assert set(OPCODES) == set(Op)
    for op, info in OPCODES.items():
        assert len(info.kinds) == 3, op
        assert set(info.kinds) <= set("RIJ_"), op
        assert info.doc, op
        assert info.kinds.count("J") <= 1


def _range_groups() -> list[tuple[int, int]]:
    """Contiguous opcode ranges dispatched by one range test in the VM
    (``elif op <= RACE:  # range group SEND..RACE``); inside such a block an
    opcode may be tested more than once (fast path, then re-execution after
    a wake)."""
    groups = []
    for lo, hi in re.findall(r"# range group (\w+)\.\.(\w+)", VM_SOURCE):
        groups.append((Op[lo].value, Op[hi].value))
    return groups


def test_every_opcode_has_one_vm_handler() -> None:
    groups = _range_groups()
    for op in Op:
        direct = len(re.findall(rf"\bop == {op.name}:", VM_SOURCE))
        grouped = len(re.findall(rf"op in \([^)]*\b{op.name}\b", VM_SOURCE))
        in_range = sum(1 for lo, hi in groups if lo <= op.value <= hi)
        if in_range:
            # Handled inside one range-dispatched block, never outside it.
            assert in_range == 1 and grouped == 0, f"{op.name}: in {in_range} range groups"
            continue
        assert direct + grouped == 1, f"{op.name}: {direct} direct + {grouped} grouped handlers"


def test_vm_constants_match_enum() -> None:
    for op in Op:
        assert f"{op.name} = Op.{op.name}.value" in VM_SOURCE, op.name


def test_jump_operand_positions() -> None:
    assert jump_operand(Op.JMP) == 1
    assert jump_operand(Op.JFALSE) == 2
    assert jump_operand(Op.JLT) == 3
    assert jump_operand(Op.FORLOOP) == 3
    assert jump_operand(Op.ADD_INT) == 0
