"""One fit, top to bottom: the path (``_path``), the training options
(``_options``, ``FitSpec``), the typed job (``_job``), the fitted state
(``_state``, ``FitState``), the guard of concurrent fits (``_guard``), the
input checks (``_checks``), target encoders, compile settings, losses,
parameter routing and seeding."""
