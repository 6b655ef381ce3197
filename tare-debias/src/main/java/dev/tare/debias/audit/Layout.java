package dev.tare.debias.audit;

/**
 * The order in which an audit pools the responses. It matters for the numbers: LOWESS breaks ties in the feature by
 * this order, so each consumer keeps the order its published figures were computed in.
 */
public enum Layout {
    /** Item by item, each item's chosen then rejected responses (eval, calibrate). */
    ITEM_MAJOR,
    /** Every chosen response of the pairs, then every rejected one, in item order (report and demo pair audits; pairs only). */
    SIDE_MAJOR
}
