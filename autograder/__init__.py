"""autograder: nbgrader configuration and the instructor CLI of the CNN course."""
