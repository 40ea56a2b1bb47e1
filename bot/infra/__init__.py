"""Infrastructure: settings, the database, the directory file."""
