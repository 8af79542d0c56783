"""Calendar feeds (iCal) for sites, resources, learners and staff."""
