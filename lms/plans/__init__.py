"""Learning plans (when, where, first step, if-then) and the plan-prompt experiment."""
