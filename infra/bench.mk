# Benchmarks; included by the Makefile.
#
#   make bench                           every section (a few minutes on 2 cores); prints the table,
#                                        writes bench/results.json and bench/results.md (the latest table; docs/benchmarks.md)
#   make bench BENCH_SECTIONS=rush,warm  a subset: round_trips,warm,rush,cold_start,simulation,table_size,
#                                        local_start,clinic,first_load (the page's first load in Chromium)
#   make simulate                        the partition-budget model of the 08:00 rush alone (docs/SCALE.md)
#   make bench-cold                      the cold init of every function alone (import the handler, make the
#                                        DynamoDB client, against the floor): no DynamoDB Local, writes nothing;
#                                        BENCH_COLD_QUICK=1 for 3 rounds (a fast check), BENCH_COLD_REPS=n
#
# Knobs (see bench/run.py): BENCH_COLD_REPS=5 BENCH_WARM_ITERATIONS=100 BENCH_RUSH_CLIENTS=64
# BENCH_RUSH_PATIENTS=256 BENCH_SMALL_ITEMS=10000 BENCH_BIG_ITEMS=200000 BENCH_BULK_SECONDS=120
.PHONY: bench bench-cold simulate

bench: install ddb-local-install
	$(PY) -m bench.run

simulate: install
	$(PY) -m bench.simulate

bench-cold: install
	$(PY) -m bench.coldstart
