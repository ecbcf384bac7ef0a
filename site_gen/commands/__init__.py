"""One module per command, each exposing the library call the CLI makes."""
