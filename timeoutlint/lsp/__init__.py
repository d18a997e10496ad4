"""``timeoutlint server``: a Language Server on stdio, built on pygls (the ``lsp`` extra).

``server`` wires the LSP methods to a ``session.Session`` (open documents, linting off the
event loop, publishing); ``linting`` lints one document, ``actions`` builds the code
actions (the ``# noqa`` ones through ``noqa_writer``, as ``check --add-noqa`` writes them),
``convert`` turns findings into LSP types, ``columns`` converts positions and
``workspace_settings`` finds (and caches) each document's configuration. ``columns`` and
``workspace_settings`` need neither pygls nor lsprotocol.
"""
