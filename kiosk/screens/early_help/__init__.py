"""Early help (paragraph 6): the hub, enrolments and reviews, registers, agencies, caseload."""
