"""The random graphs the property tests build: trees of operations over three shared leaves."""

from hypothesis import strategies as st


def op_trees(unary, binary, max_leaves=8):
    """A random tree: a leaf index 0-2, or (op, child) for a unary op, or (op, left, right) for a binary one."""
    leaf = st.integers(0, 2)

    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from(unary), children),
            st.tuples(st.sampled_from(binary), children, children),
        )

    return st.recursive(leaf, extend, max_leaves=max_leaves)
