"""Planning and acting: value iteration, occupancy, rollouts, off switch, assistance games.

The finite-horizon time convention is written once, in :mod:`valuelearn.policy._planning`.
"""

from valuelearn.policy._assistance import (
    POMDP,
    AssistanceGame,
    assistance_pomdp,
    boltzmann_human,
    full_information_q,
)
from valuelearn.policy._assistance_solver import (
    AssistanceSolution,
    POMDPSolution,
    solve_assistance,
    solve_cirl,
    solve_pomdp,
)
from valuelearn.policy._constraints import (
    ConstrainedPlan,
    allowed_actions,
    constrained_plan,
    plan_with_rules,
)
from valuelearn.policy._kernel_agents import (
    KERNEL_AGENTS,
    AgentSettings,
    Draws,
    Personalisation,
    draw,
    personalise,
)
from valuelearn.policy._kernel_agents_sklearn import personalise_sklearn
from valuelearn.policy._occupancy import (
    Occupancy,
    expected_return,
    occupancy,
    policy_evaluation,
)
from valuelearn.policy._off_switch import (
    OffSwitchValues,
    deference_incentive_stein,
    human_allow_probability,
    off_switch_discrete,
    off_switch_gaussian,
    off_switch_gaussian_batch,
    off_switch_table,
)
from valuelearn.policy._planning import PlanningResult, soft_value_iteration, value_iteration
from valuelearn.policy._rewards import expected_reward
from valuelearn.policy._sampling import sample_trajectories
from valuelearn.policy._uncertain import (
    RiskAversePlan,
    conditional_value_at_risk,
    cvar_plan,
    habitual_policy,
    kl_regularized_plan,
    posterior_outcomes,
)

__all__ = [
    "KERNEL_AGENTS",
    "POMDP",
    "AgentSettings",
    "AssistanceGame",
    "AssistanceSolution",
    "ConstrainedPlan",
    "Draws",
    "Occupancy",
    "OffSwitchValues",
    "POMDPSolution",
    "Personalisation",
    "PlanningResult",
    "RiskAversePlan",
    "allowed_actions",
    "assistance_pomdp",
    "boltzmann_human",
    "conditional_value_at_risk",
    "constrained_plan",
    "cvar_plan",
    "deference_incentive_stein",
    "draw",
    "expected_return",
    "expected_reward",
    "full_information_q",
    "habitual_policy",
    "human_allow_probability",
    "kl_regularized_plan",
    "occupancy",
    "off_switch_discrete",
    "off_switch_gaussian",
    "off_switch_gaussian_batch",
    "off_switch_table",
    "personalise",
    "personalise_sklearn",
    "plan_with_rules",
    "policy_evaluation",
    "posterior_outcomes",
    "sample_trajectories",
    "soft_value_iteration",
    "solve_assistance",
    "solve_cirl",
    "solve_pomdp",
    "value_iteration",
]
