"""The desk's workflows above the domains they call: loan agreements, hand-overs of several items, receipts."""
