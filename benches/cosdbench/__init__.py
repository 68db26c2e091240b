"""The cosd benchmark orchestrator, split by concern; benches/bench.py is its entry point.

  common.py     paths, credentials, the cosd-bench output contract, metric labels, logging
  cli.py        the command line
  systems.py    cosd, moto and s3s-fs: starting, stopping, detecting them
  generator.py  the load generator cosd-bench and its do-nothing responder
  list_versions.py  the list-versions workload (cosd only), driven from Python
  lifecycle.py  the lifecycle workload (cosd only): request latency during a lifecycle pass
  sse.py        the sse workload (cosd only): encrypted vs plain 256 MiB PUT/GET, as ratios
  workloads.py  the workload table and --only
  rounds.py     warm-up and palindromic rounds, medians and paired ratios
  startup.py    start-up time and idle memory
  limits.py     the generator's ceiling, cosd as a fraction of the limits, the targets
  render.py     the results JSON, Markdown and --update-docs
  run.py        main(): the whole run
"""
