"""Orientation for young people: find trades from one's own words, a page per trade, the
trainings near home and what becomes of those who follow them."""
