import type { reviewsZhCN } from './reviews.zh-CN';

/** Product reviews and their moderation queue, in English. */
export const reviewsEn: Record<keyof typeof reviewsZhCN, string> = {
  'nav.reviews': 'Reviews',
  'reviews.title': 'Review moderation',
  'reviews.subtitle': "Reviews by customers who bought the product; once published they show on the product's QR page",
  'reviews.status.pending': 'Pending',
  'reviews.status.published': 'Published',
  'reviews.status.rejected': 'Rejected',
  'reviews.product': 'Product',
  'reviews.rating': 'Rating',
  'reviews.text': 'Review',
  'reviews.order': 'Order',
  'reviews.at': 'Submitted',
  'reviews.actions': 'Actions',
  'reviews.publish': 'Publish',
  'reviews.reject': 'Reject',
  'reviews.takeDown': 'Take down',
  'reviews.page': 'Product page',
  'reviews.empty': 'No reviews to handle',
  'reviews.done': 'Done: {product}',
};
