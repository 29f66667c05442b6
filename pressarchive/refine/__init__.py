"""Record -> clean record: dates, the body without chrome, contacts, events,
language and the organisation's about-text kept apart (`process` runs the stages in order)."""
