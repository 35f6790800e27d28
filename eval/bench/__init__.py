"""Speed benchmarks: scripts that print numbers and write JSON; never timed assertions."""
