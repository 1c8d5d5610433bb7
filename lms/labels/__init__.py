"""Labels for counters: a department whose staff are trained earns a public label."""
