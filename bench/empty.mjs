// Does nothing: the bench times a runtime's own start-up with it.
