"""Modal screens: command dialogs, confirmation, help."""
