// Placeholder entry point; the standalone simulator CLI lands with the simulator.
return 0;
