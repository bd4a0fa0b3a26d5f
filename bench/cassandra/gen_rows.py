#!/usr/bin/env python3
"""Writes N randomuser-shaped rows of created_users as TSV (seeded, so every run gets the same rows):
id, first_name, last_name, gender, address, post_code, email, username, registered_date, phone,
picture, dob, age."""
import argparse
import datetime
import random
import uuid

FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sofia", "Lucas", "Mia", "Mateo", "Zoé", "Jörg"]
LAST = ["Smith", "García", "Müller", "Rossi", "Dubois", "Nowak", "Silva", "Kim", "Jensen", "Novak"]
STREETS = ["Main St", "Rue de la Paix", "Hauptstraße", "Via Roma", "Calle Mayor", "Park Avenue"]
CITIES = [("Springfield", "Illinois", "United States"), ("Lyon", "Rhône", "France"),
          ("Hamburg", "Hamburg", "Germany"), ("Bergen", "Vestland", "Norway"), ("Toronto", "Ontario", "Canada")]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    with open(a.out, "w", encoding="utf-8") as out:
        for _ in range(a.rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, state, country = rng.choice(CITIES)
            user = f"{first.lower()}{last.lower()}{rng.randint(1, 999)}"
            dob = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randint(0, 25000))
            registered = datetime.datetime(2002, 1, 1) + datetime.timedelta(seconds=rng.randint(0, 7 * 10**8))
            fields = [
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                first, last, rng.choice(["male", "female"]),
                f"{rng.randint(1, 9999)} {rng.choice(STREETS)}, {city}, {state}, {country}",
                str(rng.randint(10000, 99999)),
                f"{user}@example.com", user,
                registered.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}Z",
                f"({rng.randint(100, 999)})-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                f"https://randomuser.me/api/portraits/med/{'men' if rng.random() < 0.5 else 'women'}/{rng.randint(0, 99)}.jpg",
                dob.isoformat(),
                str(2024 - dob.year),
            ]
            out.write("\t".join(fields) + "\n")


if __name__ == "__main__":
    main()
