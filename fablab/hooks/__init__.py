"""What each domain declares into, so that the others read it without naming the domain: who may
take a booking, a loan or a seat (admission), what keeps a unit from being booked (unit_gates),
what a closure does to each domain's plans (closure_effects), where a person's data lives
(person_data). The declarations are gathered by fablab/routes_registry.py and fablab/people/.
"""
