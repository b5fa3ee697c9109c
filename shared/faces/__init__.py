"""The faces: each translates its wire to the core's calls and back; none holds a rule of its own."""
