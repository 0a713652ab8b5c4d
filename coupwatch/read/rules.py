"""The conditions of a case study's verdict rules: ``rank <= 10``, ``ratio > 2``,
``share <= 0.2 and rank > 10``, a boolean column alone.

Read with Python's own parser and evaluated over a small whitelist (names of the claim's
columns, numbers, strings, comparisons, ``and``/``or``/``not``, + - * /), so a case file can
state a rule without being able to run code.
"""

from __future__ import annotations

import ast
import operator

from coupwatch.errors import BadInput

COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
           ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv}


def holds(condition: str, row: dict) -> bool:
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError:
        raise BadInput(f"rule '{condition}' is not a condition", parameter="rules") from None
    return bool(_value(tree.body, row, condition))


def _value(node: ast.AST, row: dict, condition: str):
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in row:
            raise BadInput(f"rule '{condition}' names '{node.id}', which the claim's query "
                           f"does not give (it gives {', '.join(row)})", parameter="rules")
        return row[node.id]
    if isinstance(node, ast.BoolOp):
        values = (_value(v, row, condition) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _value(node.operand, row, condition)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, row, condition)
    if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        return ARITHMETIC[type(node.op)](_value(node.left, row, condition),
                                         _value(node.right, row, condition))
    if isinstance(node, ast.Compare):
        left = _value(node.left, row, condition)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if type(op) not in COMPARE:
                break
            right = _value(right_node, row, condition)
            if not COMPARE[type(op)](left, right):
                return False
            left = right
        else:
            return True
    raise BadInput(f"rule '{condition}' uses something a rule may not "
                   f"({type(node).__name__})", parameter="rules")
