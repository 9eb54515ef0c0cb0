"""The backends: each interprets a space tree through the one walk of ``_walk``.

``_walk`` (the canonical walk and the handler tables), ``_table`` (the parameter table, the
algorithms' only interface), ``_flatten`` (table and decoder), ``_sample``, ``_encode``,
``_pretty`` and ``_serialize``.  Their public functions are exported by ``typedspace``; see
``README.md`` here for how they fit together and how to add a node kind.
"""
