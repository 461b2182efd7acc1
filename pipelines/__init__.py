"""The Dagster code location of sejahtera: resources, jobs, schedules, sensors and the Definitions that assemble them."""
