"""Pages and API of orientation (trade search, trade pages, trainings near me)."""
