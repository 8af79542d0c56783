"""Late returns (issue 31): a site's late policy, strikes at check-in, suspensions and their lifts."""
