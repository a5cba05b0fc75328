# Workload (i): the interpreter starts and exits; everything measured is overhead.
pass
