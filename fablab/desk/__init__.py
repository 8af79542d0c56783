"""The desk's workflows above the domains they call: check-out and check-in, loan agreements, hand-overs, receipts."""
