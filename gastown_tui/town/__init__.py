"""The town on disk: layout, discovery, install, rigs."""
