"""Public DfE, Ofsted and ONS statistics: table registry, the committed LA-level extract and
its loader (:mod:`.extract`)."""
