"""Grid work: incidents in a closed loop with time limits and escalation, and patrols."""
