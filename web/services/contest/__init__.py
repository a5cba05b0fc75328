"""Competitions: entrants (affiliations, people, teams), team standings at a site, awards and
finalists, the signed results package a site hands the national board, and the national ranking."""
