"""Drawing the core's charts (`policy.daily.Chart`) as pictures: an adapter over matplotlib."""
