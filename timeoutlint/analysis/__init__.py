"""What every rule asks about the code: known APIs and what they return (``known``), names
and scopes (``scopes``), the types of expressions (``types``), which callable a call form
runs (``callables``), call arguments (``callargs``) and the project-wide call graph
(``callgraph``). Rules import from here; nothing here imports a rule."""
