-- What each unit serves, from the directory file: routing picks units by need, education
-- wish and age. Lists of enumeration keys, comma-separated; empty means "any".
ALTER TABLE organisations ADD COLUMN serves_needs TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN serves_wishes TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN min_age INTEGER;
ALTER TABLE organisations ADD COLUMN max_age INTEGER;
