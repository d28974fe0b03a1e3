"""Pipelines seen as a flat list of named steps (nested pipelines opened)."""


def flat_steps(obj):
    """The steps of ``obj``, nested pipelines flattened, ``None``/"passthrough" dropped.

    Returns
    -------
    steps : list of (str, estimator)
        ``[("", obj)]`` for an estimator that is not a pipeline; a nested step's
        name is its path, ``outer__inner``.
    """
    if not hasattr(obj, "steps"):
        return [("", obj)]
    out: list = []
    for name, step in obj.steps:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        out.extend((f"{name}__{inner}" if inner else name, s) for inner, s in flat_steps(step))
    return out
