-- The planner took a row's search text as nearly free to compute (the cost
-- of hd_unaccent was 1, to_tsvector's 100: 0.25 units a row), while it is
-- the most expensive thing a search does, about 8 µs a row. So a search of
-- the last week's ids walked the primary key and recomputed the text of
-- every row it passed (20 to 40 ms for a common word) instead of
-- intersecting the word's bitmap with the id range (about 10 ms). At 2500,
-- about 6.5 units a row, a search for a word in a fifth of a million
-- messages took 81 ms instead of 109 (at 1000 the planner still walked the
-- key for it). Costs change plans only: results and indexes are unchanged.
ALTER FUNCTION hd_unaccent(regdictionary, text) COST 2500;
