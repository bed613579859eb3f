"""The Textual application: screens, panels, bindings, and the one bridge from engine events to messages."""
